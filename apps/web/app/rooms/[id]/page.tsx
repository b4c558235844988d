import type { Metadata } from 'next';
import { LearnerRoom } from '../../../src/rooms/LearnerRoom';

export const metadata: Metadata = { title: 'bpfplay — workshop' };

type Props = { params: Promise<{ id: string }> };

/** A learner's page in a room: join with the code and a name, then lesson, editor and Check. */
export default async function LearnerRoomPage({ params }: Props) {
  const { id } = await params;
  return <LearnerRoom key={id} roomId={id} />;
}

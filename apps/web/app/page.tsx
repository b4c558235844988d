import { Playground } from '../src/components/Playground';

export default function Home() {
  return <Playground />;
}
